import type { TestDatabase } from './db.ts';
import type { CoordinatorUnderTest } from './chat-harness.ts';
import { InMemoryOperator } from './operator-double.ts';

/**
 * The coordinator the chat tests run against.
 * TODO(merge): switch to the real coordinator once main has coordinator/index.ts.
 */
export async function coordinatorUnderTest(_db: TestDatabase): Promise<CoordinatorUnderTest> {
  const operator = new InMemoryOperator();
  return {
    operator,
    escalate: async (question) => ({ approvalId: (await operator.escalate(question)).approvalId }),
    close: async () => {},
  };
}
