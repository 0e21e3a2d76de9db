import { z } from 'zod';

/** A boolean setting from the environment or a flag: true/false, 1/0, yes/no, on/off, any case (the spec writes False). */
export const booleanSetting = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const word = value.trim().toLowerCase();
  if (/^(true|1|yes|on)$/.test(word)) return true;
  if (/^(false|0|no|off)$/.test(word)) return false;
  ctx.addIssue({ code: 'custom', message: `must be true or false, got "${value}"` });
  return z.NEVER;
});

/** Whole seconds or ports: an integer in [min, max], from a string or a number. */
export const integerSetting = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Seconds as a positive number. */
export const secondsSetting = z.coerce
  .number()
  .positive()
  .max(30 * 24 * 3600);

const DOTTED_NUMBERS = /^[0-9.]+$/;

/**
 * A host name (`jit.example.com`, `localhost`) or an IP address (v4 or v6): the public address
 * settings (JIT_PUBLIC_IP, PUBLIC_IP, --public-ip) of every program. Numbers and dots alone must be
 * an IPv4 address (`999.1.1.1` is no host name). Whoever needs an address resolves the name.
 */
export const hostSetting = z
  .string()
  .refine(
    (s) => z.ipv4().safeParse(s).success || z.ipv6().safeParse(s).success || (z.hostname().safeParse(s).success && !DOTTED_NUMBERS.test(s)),
    {
      message: 'must be a host name (such as jit.example.com) or an IP address',
    },
  );
