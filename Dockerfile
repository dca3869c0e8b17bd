# For operators who self-host with Docker: `docker compose up` (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/prisma-generate.sh
ENV COO_HTTP_HOST=0.0.0.0
EXPOSE 7420
CMD ["sh", "-c", "node_modules/.bin/tsx scripts/migrate.ts && exec node --import tsx scripts/start.ts"]
