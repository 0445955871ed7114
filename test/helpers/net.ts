// The benchmark needs the same helper and must not import test/, so it lives in scripts/lib.
export { freePort } from '../../scripts/lib/net.js';
