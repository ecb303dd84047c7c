/// <reference types="vitest/config" />
import { cpSync, existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

const BACKEND = 'http://127.0.0.1:8000'

// Excalidraw fetches its hand-drawn fonts at run time; the CSP only allows our own origin,
// so ship them next to the bundle (without the 13 MB CJK font nobody here needs).
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
        if (family === 'Xiaolai') continue
        cpSync(resolve(source, family), resolve(outDir, 'excalidraw/fonts', family), {
          recursive: true,
        })
      }
    },
  }
}

export default defineConfig(({ command }) => ({
  // Django serves the built files under /static/ (whitenoise); the dev server serves from /.
  base: command === 'build' ? '/static/' : '/',
  plugins: [react(), excalidrawFonts()],
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
