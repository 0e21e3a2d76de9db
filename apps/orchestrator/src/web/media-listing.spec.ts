import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMedia } from './media-listing';

describe('listMedia', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'media-listing-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists nothing without roots', async () => {
    expect(await listMedia(undefined)).toEqual({ roots: [], files: [], truncated: false });
  });

  it('lists the media files of the folder roots, sorted, without hidden entries, links or other files', async () => {
    mkdirSync(join(root, 'b', '.cache'), { recursive: true });
    for (const file of ['b/clip.MOV', 'a.wav', 'b/.hidden.mov', 'b/.cache/x.mov', 'notes.txt']) writeFileSync(join(root, file), '');
    symlinkSync('/etc/hostname', join(root, 'escape.mov'));
    const name = root.split('/').pop();
    expect(await listMedia({ paths: [root], urls: ['s3://bucket/media/'] })).toEqual({
      roots: [root, 's3://bucket/media/'],
      files: [
        { url: join(root, 'a.wav'), path: `${name}/a.wav` },
        { url: join(root, 'b', 'clip.MOV'), path: `${name}/b/clip.MOV` },
      ],
      truncated: false,
    });
  });

  it('stops at 1000 files, saying so', async () => {
    for (let i = 0; i <= 1000; i++) writeFileSync(join(root, `${String(i).padStart(4, '0')}.wav`), '');
    const listing = await listMedia({ paths: [root], urls: [] });
    expect(listing.files).toHaveLength(1000);
    expect(listing.truncated).toBe(true);
  });

  it('looks 7 folders deep, no deeper, saying so', async () => {
    const near = join(root, '1', '2', '3', '4', '5', '6', '7');
    mkdirSync(join(near, '8'), { recursive: true });
    writeFileSync(join(near, 'near.mov'), '');
    writeFileSync(join(near, '8', 'far.mov'), '');
    const listing = await listMedia({ paths: [root], urls: [] });
    expect(listing.files.map((f) => f.url)).toEqual([join(near, 'near.mov')]);
    expect(listing.truncated).toBe(true);
  });
});
