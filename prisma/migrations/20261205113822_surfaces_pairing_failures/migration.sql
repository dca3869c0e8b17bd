-- Wrong pairing codes, kept for the throttle window (bot/core/pairing.ts): a chat, and all chats together,
-- may try only so many wrong codes per window before every attempt is refused for a while.

CREATE TABLE "pairing_failure" (
    "id" BIGSERIAL NOT NULL,
    "chat" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "pairing_failure_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "pairing_failure_chat_at_idx" ON "pairing_failure"("chat", "at");
CREATE INDEX "pairing_failure_at_idx" ON "pairing_failure"("at");
