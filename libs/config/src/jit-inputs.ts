import { z } from 'zod';

/** One media input of a JIT stream: the first is video, the others audio. */
export const inputSpecSchema = z.object({
  url: z
    .string()
    .min(1)
    .refine((u) => !/^[a-z][a-z0-9+.-]*:/i.test(u) || /^(https?|s3|file):/i.test(u), {
      message: 'only local paths, file://, http(s):// and s3:// URLs are supported',
    }),
  channelCount: z.number().int().positive().max(64).optional(),
  id: z.string().min(1).max(200).optional(),
});
export type InputSpec = z.infer<typeof inputSpecSchema>;

const KEY_VALUE = /^(channel_count|id)=(.*)$/;

/**
 * Parses the spec's input grammar, `URL [channel_count=N] [id=X] [URL ...]`: a token
 * that is `channel_count=` or `id=` qualifies the URL before it, any other token is a URL.
 */
export function parseInputTokens(tokens: readonly string[]): InputSpec[] {
  const inputs: InputSpec[] = [];
  for (const token of tokens) {
    const match = KEY_VALUE.exec(token);
    if (!match) {
      inputs.push({ url: token });
      continue;
    }
    const current = inputs[inputs.length - 1];
    if (!current) throw new Error(`input: "${token}" must follow a URL`);
    const [, key, value] = match;
    if (key === 'id') {
      current.id = value;
    } else {
      const count = Number(value);
      if (!Number.isInteger(count) || count <= 0) {
        throw new Error(`input ${current.url}: channel_count must be a positive integer, got "${value}"`);
      }
      current.channelCount = count;
    }
  }
  return inputs;
}
