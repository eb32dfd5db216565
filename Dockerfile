# The server with its media engine (rtpengine, userspace) and default prompts.
# Build: docker build -t callflow .   Run: docker run --network host -e ADMIN_PASSWORD=... callflow
FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends rtpengine-daemon espeak-ng sox ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    SIP_HOST=0.0.0.0 \
    SIP_PORT=5060 \
    DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/setup.mjs --run
ENV NODE_ENV=production
# typed arrays (the ACD engine keeps its routing state in them) on transparent huge pages: malloc madvises them
ENV GLIBC_TUNABLES=glibc.malloc.hugetlb=1

VOLUME ["/data"]
# HTTP + WebSocket, SIP over UDP and TCP, RTP (rtpengine)
EXPOSE 8080 5060/udp 5060/tcp 5061/tcp 8443/tcp 30000-39999/udp

CMD ["node_modules/.bin/tsx", "--max-semi-space-size=64", "server/main.ts"]
