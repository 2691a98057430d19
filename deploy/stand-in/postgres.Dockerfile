# Stand-in for the official postgres:18 image, for machines that reach no image registry
# (scripts/stack/images.sh builds it). BASE is Debian sid with its postgresql-18 package.
# Kept to what stack.yml relies on: POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD(_FILE),
# /docker-entrypoint-initdb.d on first start, PGDATA under the /var/lib/postgresql volume.
ARG BASE
FROM ${BASE}
ENV PATH=/usr/lib/postgresql/18/bin:$PATH \
    PGDATA=/var/lib/postgresql/18/docker \
    LANG=C.UTF-8
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN mkdir -p /docker-entrypoint-initdb.d /var/run/postgresql \
 && chown postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 3777 /var/run/postgresql
VOLUME /var/lib/postgresql
ENTRYPOINT ["docker-entrypoint.sh"]
# Fast shutdown, as the official image does.
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
