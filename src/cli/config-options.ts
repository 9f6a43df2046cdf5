/** The configuration flags every command that reads the config accepts, and their mapping to loadConfig's flags. */
import type { ConfigFlags } from '../config/load-config.ts';

export const CONFIG_OPTIONS = {
  config: { type: 'string' },
  listen: { type: 'string' },
  admin: { type: 'string' },
  'admin-tls-cert': { type: 'string' },
  'admin-tls-key': { type: 'string' },
  'data-dir': { type: 'string' },
  categories: { type: 'string' },
  'parent-proxy': { type: 'string' },
  resolve: { type: 'string', multiple: true },
} as const;

export interface ConfigOptionValues {
  config?: string | undefined;
  listen?: string | undefined;
  admin?: string | undefined;
  'admin-tls-cert'?: string | undefined;
  'admin-tls-key'?: string | undefined;
  'data-dir'?: string | undefined;
  categories?: string | undefined;
  'parent-proxy'?: string | undefined;
  resolve?: string[] | undefined;
}

export function configFlags(values: ConfigOptionValues): ConfigFlags {
  return {
    ...(values.config === undefined ? {} : { config: values.config }),
    ...(values.listen === undefined ? {} : { listen: values.listen }),
    ...(values.admin === undefined ? {} : { admin: values.admin }),
    ...(values['admin-tls-cert'] === undefined ? {} : { adminTlsCert: values['admin-tls-cert'] }),
    ...(values['admin-tls-key'] === undefined ? {} : { adminTlsKey: values['admin-tls-key'] }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values.categories === undefined ? {} : { categories: values.categories }),
    ...(values['parent-proxy'] === undefined ? {} : { parentProxy: values['parent-proxy'] }),
    ...(values.resolve === undefined ? {} : { resolve: values.resolve }),
  };
}
