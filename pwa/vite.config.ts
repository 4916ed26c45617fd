/// <reference types="vitest/config" />
/**
 * Build settings. The server sends a strict CSP (script-src 'self', style-src
 * 'self', worker-src 'self', no inline anything), so the build must emit
 * only files: no modulepreload polyfill script, no inlined assets.
 *
 * The service worker is a second, separate build (a classic script, so every
 * browser that has service workers runs it) emitted at dist/sw.js, after the
 * app: it precaches the app's files, and its cache name is a hash of them,
 * so each release gets a fresh cache and the 「更新があります」 prompt.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build, defineConfig, type Plugin } from "vite";
import preact from "@preact/preset-vite";

const OUT_DIR = resolve(import.meta.dirname, "dist");
/** The API viewer's files: served by the server at /schema/swagger only when enabled, never precached. */
const API_VIEWER_DIR = "api-viewer";

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function serviceWorker(): Plugin {
  return {
    name: "carebook-service-worker",
    apply: "build",
    async closeBundle() {
      const files = listFiles(OUT_DIR)
        .map((path) => "/" + relative(OUT_DIR, path).split("\\").join("/"))
        .filter(
          (url) =>
            url !== "/sw.js" && !url.startsWith("/.vite/") && !url.startsWith(`/${API_VIEWER_DIR}/`) && url !== "/index.html",
        )
        .sort();
      const hash = createHash("sha256");
      for (const url of files) hash.update(url).update(readFileSync(join(OUT_DIR, url)));
      hash.update(readFileSync(join(OUT_DIR, "index.html")));
      const version = hash.digest("hex").slice(0, 12);
      await build({
        configFile: false,
        logLevel: "warn",
        define: {
          __PRECACHE__: JSON.stringify(files),
          __SW_VERSION__: JSON.stringify(version),
        },
        build: {
          outDir: OUT_DIR,
          emptyOutDir: false,
          copyPublicDir: false,
          target: "es2022",
          sourcemap: false,
          lib: {
            entry: resolve(import.meta.dirname, "src/sw.ts"),
            formats: ["iife"],
            name: "carebookServiceWorker",
            fileName: () => "sw.js",
          },
        },
      });
    },
  };
}

/**
 * The OpenAPI viewer (issue 13, item 5): swagger-ui from the npm package swagger-ui-dist,
 * copied into dist/api-viewer/ with its licence and our start-up script, instead of loaded
 * from a CDN. The server serves these files only when CAREBOOK_API_VIEWER is on.
 */
function apiViewer(): Plugin {
  return {
    name: "carebook-api-viewer",
    apply: "build",
    closeBundle() {
      const from = resolve(import.meta.dirname, "node_modules", "swagger-ui-dist");
      const to = join(OUT_DIR, API_VIEWER_DIR);
      mkdirSync(to, { recursive: true });
      for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) {
        copyFileSync(join(from, name), join(to, name));
      }
      copyFileSync(resolve(import.meta.dirname, "api-viewer", "viewer.js"), join(to, "viewer.js"));
    },
  };
}

export default defineConfig({
  plugins: [preact(), apiViewer(), serviceWorker()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
    restoreMocks: true,
  },
});
