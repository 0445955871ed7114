# syntax=docker/dockerfile:1
# NeonPanel MCP bridge. Build: docker build -t neonpanel-mcp .
# Run:   docker run -p 3000:3000 -e MCP_PUBLIC_URL=https://mcp.example.com neonpanel-mcp
# Every setting is an environment variable; see docs/deploying.md.

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped here because `prepare` compiles, and the sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY sandbox ./sandbox
RUN npm run build

# ---- deps: production dependencies only ----
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime: compiled code, production dependencies, and the data files read at run time ----
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Read from the package root at run time (tsc does not copy them into dist/): the NeonPanel API and
# OAuth documents and the tools' curated overlay. A new data file read this way must be added here.
COPY openapi ./openapi
COPY src/tools/overlay.yaml ./src/tools/overlay.yaml
# The image's unprivileged user; the files stay owned by root, so the server cannot change its own code.
USER node
EXPOSE 3000
# Ready means started, not draining, and holding the issuer's signing keys (see docs/deploying.md).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
