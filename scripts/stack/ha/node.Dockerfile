# A Swarm node of the three-node stack test: Debian's Docker Engine in a container (the stand-in
# for docker:dind, built offline by scripts/stack/ha/nodes.sh from a debootstrap root file system).
ARG BASE
FROM ${BASE}
COPY node-entrypoint.sh /usr/local/bin/node-entrypoint
RUN chmod 0755 /usr/local/bin/node-entrypoint
VOLUME /var/lib/docker
ENTRYPOINT ["node-entrypoint"]
