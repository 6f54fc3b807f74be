#!/usr/bin/env bash
# Run under `npm test`, this script inherits the outer npm's environment: npm_config_user_agent names the outer
# Node (code-server's postinstall reads the Node version from it, not from the node on PATH, and refuses Node 20),
# npm_config_* settings, npm_lifecycle_*, npm_package_*. The nested installs must see a clean npm environment.
# Kept: what reaches the registry (registry, cache, proxies, certificates, the user's npmrc, auth).
clean_npm_env() {
  local v
  for v in $(compgen -e); do
    case "${v,,}" in
      npm_config_registry|npm_config_cache|npm_config_*proxy*|npm_config_strict_ssl|npm_config_cafile|npm_config_ca|\
      npm_config_userconfig|npm_config_globalconfig|npm_config__auth*|npm_config_//*) ;;
      npm_*) unset "$v" ;;
    esac
  done
}
