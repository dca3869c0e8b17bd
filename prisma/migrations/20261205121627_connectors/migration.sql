-- The integration bus (connectors/). One cursor per connector and account: it moves only in the
-- transaction that records the items it passed, so it never gets ahead of what is recorded.
CREATE TABLE "connector_cursor" (
    "connector" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "cursor" JSONB,
    "last_pull_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_item_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "connector_cursor_pkey" PRIMARY KEY ("connector", "account")
);

-- Every inbound item, keyed by (connector, account, external id): the same item twice (a reconnect,
-- a second poller, a replayed webhook, a re-imported statement) finds its row and starts nothing.
-- An item that failed its schema keeps its raw text here, with the incident that shows it.
CREATE TABLE "connector_item" (
    "connector" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "schema_version" INTEGER,
    "status" TEXT NOT NULL,
    "payload" JSONB,
    "raw" TEXT,
    "error" TEXT,
    "run_id" TEXT,
    "incident_id" TEXT,
    "delivery" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "connector_item_pkey" PRIMARY KEY ("connector", "account", "external_id")
);
CREATE INDEX "connector_item_connector_received_at_idx" ON "connector_item"("connector", "received_at");
CREATE INDEX "connector_item_status_idx" ON "connector_item"("status");
