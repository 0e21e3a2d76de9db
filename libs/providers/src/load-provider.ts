import { isAbsolute, resolve } from 'node:path';
import { AWS_INSTANCE_PROVIDER, SINGLE_INSTANCE_PROVIDER } from '@jit/config';
import { AWSInstanceProvider } from './aws-instance-provider';
import type { InstanceProvider, InstanceProviderClass, ProviderContext } from './instance-provider';
import { SingleInstanceProvider } from './single-instance-provider';

const BUILT_IN: Record<string, InstanceProviderClass> = {
  [SINGLE_INSTANCE_PROVIDER]: SingleInstanceProvider,
  SingleInstanceProvider,
  [AWS_INSTANCE_PROVIDER]: AWSInstanceProvider,
  AWSInstanceProvider,
};

/**
 * The provider JIT_INSTANCE_PROVIDER_CLASS_PATH / --instance-provider-path names: one of the spec's
 * dotted names, or a module path (absolute, or relative to the working directory) whose default
 * export or `InstanceProvider` export is the class, optionally `path#ExportName`.
 */
export function loadInstanceProvider(classPath: string, context: ProviderContext): InstanceProvider {
  const builtIn = BUILT_IN[classPath];
  if (builtIn) return new builtIn(context);
  const [modulePath, exportName] = classPath.split('#');
  const file = isAbsolute(modulePath) ? modulePath : resolve(modulePath);
  let loaded: Record<string, unknown>;
  try {
    loaded = require(file) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`JIT_INSTANCE_PROVIDER_CLASS_PATH: cannot load ${file}: ${(error as Error).message}`, { cause: error });
  }
  const candidate = loaded[exportName ?? 'default'] ?? loaded.InstanceProvider;
  if (typeof candidate !== 'function') {
    throw new Error(`JIT_INSTANCE_PROVIDER_CLASS_PATH: ${file} exports no provider class${exportName ? ` named ${exportName}` : ''}`);
  }
  return new (candidate as InstanceProviderClass)(context);
}
