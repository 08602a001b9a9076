# syntax=docker/dockerfile:1
# The mini-reloader image: Node 24 on distroless (no shell, no package
# manager), production dependencies only, a numeric non-root user, and a
# filesystem it never writes to, so it runs with readOnlyRootFilesystem.
#
#   docker build -t mini-reloader .   (or: buildah bud -t mini-reloader .)

ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the image's own Node 24 compiles; the pinned `node`
# devDependency is only for developer machines.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tools/build ./tools/build
COPY src ./src
RUN node tools/build/build.ts

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="mini-reloader" \
      org.opencontainers.image.description="Rolls Kubernetes workloads when the ConfigMaps or Secrets they use change; Stakater Reloader compatible." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/pelabs/mini-reloader"
WORKDIR /app
COPY --from=production-dependencies /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# distroless's nonroot user, by number, so runAsNonRoot can verify it.
USER 65532:65532
ENV NODE_ENV=production
# The V8 heap as a share of the container's memory limit (the cgroup's, when
# there is one), so it follows the limit the manifests set; the rest of the
# limit is Node's own memory outside the heap. Chosen from measurements at
# the shipped 256Mi: see the README's "Memory limits".
ENV NODE_OPTIONS=--max-old-space-size-percentage=60
EXPOSE 9090
# The CA bundle is distroless's /etc/ssl/certs; in-cluster, the API server's CA
# comes from the service account mount. --lite-mode is the V8 flag `run` would
# relaunch itself with (src/v8-flags.ts); given here, Node starts once.
ENTRYPOINT ["/nodejs/bin/node", "--lite-mode", "/app/dist/cli.js"]
CMD ["run"]
