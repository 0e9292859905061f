# One image for every process type: the command picks web, worker or migrate (see docker-compose.yml).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workers ./workers
COPY scripts ./scripts
RUN npm run build
# The EN 16931 rules (docs/validation.md): fetched from RULES_SOURCE (the release archive on GitHub by default),
# checked against their pinned SHA-256, compiled once. Pass --build-arg RULES_SOURCE=<ZIP URL> to use a mirror.
ARG RULES_SOURCE=
RUN RULES_DIR=/app/rules node dist/scripts/rules-install.js ${RULES_SOURCE} && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/rules ./rules
ENV RULES_DIR=/app/rules
COPY scenarios ./scenarios
# The simulator's state volume mounts here; created now so that it belongs to node.
RUN mkdir -p /home/node/simulator && chown node:node /home/node/simulator
USER node
CMD ["node", "dist/src/web.js"]
