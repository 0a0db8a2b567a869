/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The server (writeen-chat) serves dist/ at "/" with assets under /assets/.
// `npm run dev` proxies the API and the WebSocket to a local server on :8080.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // Every asset is a file under /assets/: no data: URLs for the page's CSP to allow.
    assetsInlineLimit: 0,
    rollupOptions: {
      // The service worker is its own entry, served at /sw.js so its scope is the whole site.
      input: { main: 'index.html', sw: 'src/push/serviceWorker.ts' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
