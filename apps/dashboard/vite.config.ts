import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'dist', 'dashboard');

/**
 * Compresses every text file of the build once, here, with the strongest settings (.br and .gz beside it): the API
 * sends the variant the browser accepts and compresses nothing per request (apps/api/src/dashboard/serve.ts).
 */
function precompress(): Plugin {
  const text = /\.(js|css|html|svg|json|txt)$/;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return {
    name: 'precompress',
    apply: 'build',
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!text.test(file) || statSync(file).size < 512) continue;
        const content = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } }));
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

/**
 * The dashboard: served by the API under /dashboard/ (base), built into dist/dashboard. `npx vite --config
 * apps/dashboard/vite.config.ts` serves it for development with hot reload, sending API requests to the service
 * on :3000 (`npm start` in another terminal).
 */
export default defineConfig({
  root: here,
  base: '/dashboard/',
  plugins: [vue(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '^/(?!dashboard/).*': { target: 'http://localhost:3000', changeOrigin: false } },
  },
});
