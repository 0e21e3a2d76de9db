import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { BadInputError } from '@jit/errors';

/** Validates a request body with a zod schema; a 400 names the first field at fault. */
export class ZodBodyPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const details = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
    throw new BadInputError(details.join('; '));
  }
}
