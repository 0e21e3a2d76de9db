import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { InputError } from './input-location';

/**
 * How long a presigned URL is valid. Each viewer opens the input afresh, so the URL must outlive
 * the JIT (4 h sessions by default); with temporary credentials (an instance role) it ends when
 * they do.
 */
const PRESIGNED_URL_S = 12 * 3600;

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** `s3://bucket/key` → bucket and key (the key as written: S3 keys are not URL-encoded in s3:// URLs). */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(url);
  if (!match) throw new InputError(`input ${url}: an S3 input is s3://bucket/key`);
  return { bucket: match[1], key: match[2] };
}

/**
 * An https URL (presigned, GET) for an `s3://bucket/key` input, made in `region` (--region; else
 * the SDK's own AWS_REGION / profile) with the standard AWS credential chain. The object is looked
 * at first (HeadObject), so a missing bucket or key, a refusal or missing credentials end the JIT
 * at start-up with a message naming the input. AWS_ENDPOINT_URL(_S3) is honoured, by the SDK.
 */
export async function presignS3Input(url: string, region: string | undefined): Promise<string> {
  const { bucket, key } = parseS3Url(url);
  const s3 = new S3Client({ region });
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: PRESIGNED_URL_S });
  } catch (error) {
    throw new InputError(`input ${url}: ${await why(s3, bucket, key, error)}`);
  } finally {
    s3.destroy();
  }
}

async function why(s3: S3Client, bucket: string, key: string, error: unknown): Promise<string> {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'CredentialsProviderError') return `no AWS credentials (environment, profile, SSO or instance role): ${e.message}`;
  if (/region is missing|region not accepted/i.test(e.message ?? '')) return 'no AWS region: give --region (or set AWS_REGION)';
  if (status === 404) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (bucketError) {
      if ((bucketError as SdkError).$metadata?.httpStatusCode === 404) return `no bucket ${bucket}`;
    }
    return `no object ${key} in bucket ${bucket}`;
  }
  if (status === 403) return `access to s3://${bucket}/${key} denied to these AWS credentials (${e.name})`;
  if (status === 301) return `bucket ${bucket} is in another region than ${await s3.config.region()}: give its --region`;
  return `S3 HeadObject failed: ${e.name}: ${e.message}`;
}
