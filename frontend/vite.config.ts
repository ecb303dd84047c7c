/// <reference types="vitest/config" />
import { cpSync, existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

const BACKEND = 'http://127.0.0.1:8000'

// Excalidraw fetches its hand-drawn fonts at run time; the CSP only allows our own origin,
// so ship them next to the bundle. All of them: the CJK font (Xiaolai, 13 MB in 209 subsets)
// is what draws Chinese or Japanese labels, and a browser downloads only the subsets it needs.
function excalidrawFonts(): Plugin {
  const source = resolve(import.meta.dirname, 'node_modules/@excalidraw/excalidraw/dist/prod/fonts')
  let outDir = 'dist'
  return {
    name: 'sevenstep-excalidraw-fonts',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    writeBundle() {
      if (!existsSync(source)) return
      for (const family of readdirSync(source)) {
        cpSync(resolve(source, family), resolve(outDir, 'excalidraw/fonts', family), {
          recursive: true,
        })
      }
    },
  }
}

// Excalidraw appends a public CDN (esm.sh) to every font's URL list after EXCALIDRAW_ASSET_PATH,
// and on every board open the browser fetched ~230 font files from it anyway, each refused by
// the CSP. Point that fallback at our own copy too, so no request leaves the site; the build
// fails if an Excalidraw upgrade moves the fallback out of reach of the pattern.
const EXCALIDRAW_CDN = /`https:\/\/esm\.sh\/\$\{.*?\}\/dist\/prod\/`/

function excalidrawNoCdn(base: string): Plugin {
  let replaced = false
  return {
    name: 'sevenstep-excalidraw-no-cdn',
    apply: 'build',
    transform(code, id) {
      if (!id.includes('@excalidraw/excalidraw') || !EXCALIDRAW_CDN.test(code)) return null
      replaced = true
      return { code: code.replace(EXCALIDRAW_CDN, `(window.location.origin + ${JSON.stringify(`${base}excalidraw/`)})`), map: null }
    },
    buildEnd(error) {
      if (!error && !replaced) this.error("Excalidraw's font CDN fallback was not found: fonts would load from esm.sh")
    },
  }
}

export default defineConfig(({ command }) => ({
  // Django serves the built files under /static/ (whitenoise); the dev server serves from /.
  base: command === 'build' ? '/static/' : '/',
  plugins: [react(), excalidrawFonts(), excalidrawNoCdn('/static/')],
  server: {
    proxy: {
      '/api': BACKEND,
      '/ws': { target: BACKEND.replace('http', 'ws'), ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
}))
