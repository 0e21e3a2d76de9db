/**
 * `s3://` inputs against moto's S3 (started on loopback by scripts/moto.sh): the JIT makes a
 * presigned URL with --region and the standard credential chain (here: the environment), the
 * SDK reaching moto through AWS_ENDPOINT_URL, and FFmpeg reads the clip over it.
 */
import { readFileSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { runJit, startJit } from '../support/jit-process';
import { makeIndexedClip, makeToneWav } from '../support/media';
import { type Moto, startMoto } from '../support/moto';
import { playStream } from '../support/player';
import { http } from '../support/service-process';

jest.setTimeout(300_000);

const BUCKET = 'jit-media';
let moto: Moto;
let browser: Browser;

beforeAll(async () => {
  let clip: string;
  let tone: string;
  [moto, browser, clip, tone] = await Promise.all([
    startMoto(15010, 'eu-north-1'),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 100 }),
    makeToneWav({ channels: 2, freqs: [440, 880], seconds: 4 }),
  ]);
  const s3 = new S3Client({ region: 'eu-north-1' });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-north-1' } }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'clips/review cut.mov', Body: readFileSync(clip) }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'audio/stems.wav', Body: readFileSync(tone) }));
  s3.destroy();
  // The JITs get their region from --region alone.
  delete process.env.AWS_REGION;
});
afterAll(async () => {
  await browser?.close();
  await moto?.stop();
});

it('plays a clip from S3 in Chromium, read through a presigned URL made with --region', async () => {
  // The region comes from --region alone (without it, the JIT refuses: see below).
  const jit = await startJit(
    [
      '-i',
      `s3://${BUCKET}/clips/review cut.mov`,
      'id=picture',
      `s3://${BUCKET}/audio/stems.wav`,
      '--region',
      'eu-north-1',
      '--bitrate',
      '20000000',
    ],
    {},
    60_000,
  );
  try {
    const status = await http('GET', `${jit.url}/status`);
    expect(status.body.media.video).toMatchObject({ url: `s3://${BUCKET}/clips/review cut.mov`, id: 'picture' });
    expect(status.body.media.audio).toEqual([expect.objectContaining({ url: `s3://${BUCKET}/audio/stems.wav`, channels: 2 })]);
    await playStream(browser, `${jit.url}/whep`, 60);
  } finally {
    await jit.stop();
  }
});

it('ends at once with code 2 and a message naming the input for a missing key or bucket, or no region', async () => {
  const noRegion = await runJit(['-i', `s3://${BUCKET}/clips/review cut.mov`], {}, 60_000);
  expect(noRegion.code).toBe(2);
  expect(noRegion.stderr).toContain(`input s3://${BUCKET}/clips/review cut.mov: no AWS region: give --region (or set AWS_REGION)`);

  const noKey = await runJit(['-i', `s3://${BUCKET}/clips/nothing.mov`, '--region', 'eu-north-1'], {}, 60_000);
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toContain(`input s3://${BUCKET}/clips/nothing.mov: no object clips/nothing.mov in bucket ${BUCKET}`);

  const noBucket = await runJit(['-i', 's3://no-such-bucket/clip.mov', '--region', 'eu-north-1'], {}, 60_000);
  expect(noBucket.code).toBe(2);
  expect(noBucket.stderr).toContain('input s3://no-such-bucket/clip.mov: no bucket no-such-bucket');

  const notAnObject = await runJit(['-i', `s3://${BUCKET}`, '--region', 'eu-north-1'], {}, 60_000);
  expect(notAnObject.code).toBe(2);
  expect(notAnObject.stderr).toContain(`input s3://${BUCKET}: an S3 input is s3://bucket/key`);
});
