-- Chat surfaces (bot/): pairing codes, chat bindings, long button payloads, and each surface's
-- delivery cursor so that messages created while a surface was down are delivered after a restart.

CREATE TABLE "pairing_code" (
    "code_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_by" TEXT,
    CONSTRAINT "pairing_code_pkey" PRIMARY KEY ("code_hash")
);
CREATE INDEX "pairing_code_expires_at_idx" ON "pairing_code"("expires_at");

CREATE TABLE "chat_binding" (
    "surface" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "label" TEXT,
    "bound_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_binding_pkey" PRIMARY KEY ("surface","chat_id")
);

CREATE TABLE "chat_button" (
    "token" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_button_pkey" PRIMARY KEY ("token")
);

CREATE TABLE "chat_cursor" (
    "surface" TEXT NOT NULL,
    "message_id" BIGINT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_cursor_pkey" PRIMARY KEY ("surface")
);
