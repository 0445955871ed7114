# syntax=docker/dockerfile:1
# NeonPanel MCP bridge. Build: docker build -t neonpanel-mcp .
# Run:   docker run -p 3000:3000 -e MCP_PUBLIC_URL=https://mcp.example.com neonpanel-mcp
# Every setting is an environment variable; see docs/deploying.md.

# ---- build: all dependencies; bundle the server into dist/ with its V8 code cache ----
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Scripts are skipped here because `prepare` builds, and the sources are not copied yet; the one
# `postinstall` does (patch the MCP SDK, docs/dependency-patches.md) runs by hand. The bundle carries the
# patched SDK, so the runtime stage's node_modules needs no patch.
RUN npm ci --ignore-scripts --no-audit --no-fund && npx patch-package --error-on-fail
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/
COPY openapi ./openapi
COPY src ./src
# The code cache is made by this stage's Node; the runtime stage uses the same image, so V8 accepts it.
RUN npm run build

# ---- deps: production dependencies only ----
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime: the bundle, production dependencies, and the data files read at run time ----
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Read from the package root at run time (the bundle does not contain them): the NeonPanel API 1.2
# document (served at /openapi.*) and the tool catalog generated from it. The MCP Apps views are in the
# bundle. A new data file read this way must be added here.
COPY openapi ./openapi
COPY src/tools/catalog.generated.json ./src/tools/catalog.generated.json
# The image's unprivileged user; the files stay owned by root, so the server cannot change its own code.
USER node
EXPOSE 3000
# Ready means started, not draining, and holding the issuer's signing keys (see docs/deploying.md).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
