import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOrchestratorConfig } from '@jit/config';
import { InputPolicy } from './input-policy';

const base = mkdtempSync(join(tmpdir(), 'jit-policy-'));
const root = join(base, 'media');
mkdirSync(root);
writeFileSync(join(root, 'clip.mov'), '');
writeFileSync(join(base, 'secret.txt'), '');
symlinkSync(join(base, 'secret.txt'), join(root, 'escape.mov'));

const rootsOf = (value: string) => parseOrchestratorConfig([], { JIT_MEDIA_ROOTS: value }).mediaRoots;
const refusal = async (policy: InputPolicy, url: string) =>
  policy.check([{ url }]).then(
    () => 'allowed',
    (e: Error) => e.message,
  );

describe('the input policy without JIT_MEDIA_ROOTS', () => {
  const open = new InputPolicy(undefined);

  it.each([
    ['/any/where/clip.mov'],
    [`file://${root}/clip.mov`],
    ['file://localhost/x.mov'],
    ['https://media.example.com/a.mov'],
    ['s3://bucket/a.mov'],
    ['http://10.1.2.3/a.mov'],
  ])('allows %s', async (url) => expect(await refusal(open, url)).toBe('allowed'));

  it.each([
    ['/media/../etc/passwd', /".." path segments/],
    ['/media/%2e%2e/etc/passwd', /".." path segments/],
    ['file:///media/%2E%2E/etc/passwd', /".." path segments/],
    ['file:///media/%252e%252e/etc/passwd', /".." path segments/],
    ['http://example.com/a/..', /".." path segments/],
    ['file://evil.example.com/etc/passwd', /must not name a host/],
    ['clip.mov', /must be absolute/],
    ['http://169.254.169.254/latest/meta-data/', /metadata address/],
    ['http://[fd00:ec2::254]/latest/meta-data/', /metadata address/],
    ['http://[::ffff:169.254.169.254]/', /metadata address/],
    ['http://127.0.0.1:8080/a.mov', /loopback or link-local/],
    ['http://2130706433/a.mov', /loopback or link-local/],
    ['http://0x7f.1/a.mov', /loopback or link-local/],
    ['http://localhost/a.mov', /loopback or link-local/],
    ['https://[::1]/a.mov', /loopback or link-local/],
    ['http://169.254.10.1/a.mov', /loopback or link-local/],
    ['http://[fe80::1]/a.mov', /loopback or link-local/],
    ['http://0.0.0.0/a.mov', /loopback or link-local/],
    ['ftp://example.com/a.mov', /only local paths/],
    ['gopher://x/', /only local paths/],
  ])('refuses %s, naming it', async (url, why) => {
    const message = await refusal(open, url);
    expect(message).toMatch(why);
    expect(message).toContain(`input ${JSON.stringify(url)}`);
  });
});

describe('the input policy with JIT_MEDIA_ROOTS', () => {
  const policy = new InputPolicy(rootsOf(`${root}, https://media.example.com/review/, http://127.0.0.1:18850/, s3://bucket/jit/`));

  it.each([
    [join(root, 'clip.mov')],
    [`file://${root}/clip.mov`],
    [join(root, 'not-yet-there.mov')],
    ['https://media.example.com/review/a.mov'],
    ['http://127.0.0.1:18850/a.mov'],
    ['s3://bucket/jit/a.mov'],
  ])('allows %s', async (url) => expect(await refusal(policy, url)).toBe('allowed'));

  it.each([
    [join(base, 'secret.txt'), /not under a media root/],
    [`${root}-other/clip.mov`, /not under a media root/],
    [join(root, 'escape.mov'), /leads out of the media roots/],
    ['https://media.example.com/reviewers/a.mov', /not under a media root/],
    ['https://media.example.com/other/a.mov', /not under a media root/],
    ['http://127.0.0.1:18851/a.mov', /not under a media root/],
    ['s3://other-bucket/a.mov', /not under a media root/],
  ])('refuses %s', async (url, why) => expect(await refusal(policy, url)).toMatch(why));

  it('never takes the metadata address, even under a root that names it', async () => {
    const named = new InputPolicy(rootsOf('http://169.254.169.254/'));
    expect(await refusal(named, 'http://169.254.169.254/latest/meta-data/')).toMatch(/metadata address/);
  });

  it('refuses local files when the roots are URLs only', async () => {
    expect(await refusal(new InputPolicy(rootsOf('https://media.example.com/')), '/tmp/a.mov')).toMatch(/names no folder/);
  });

  it('refuses roots that are not paths or plain URLs', () => {
    expect(() => rootsOf('relative/dir')).toThrow(/JIT_MEDIA_ROOTS.*neither an absolute path nor a URL/);
    expect(() => rootsOf('ftp://x/')).toThrow(/JIT_MEDIA_ROOTS/);
    expect(() => rootsOf('file://host/x')).toThrow(/must not name a host/);
  });
});
