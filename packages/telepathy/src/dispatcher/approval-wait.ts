/**
 * The wait for an approver's decision once at least one approver accepted a dispatch operation (spec
 * 0.27 `Client.Approver.AddDispatchOperation`): besides the decision itself (HandleWith, Claim), it ends
 * when the channel closes or the operation ends ('closed'), or when no approver that accepted it is left
 * on the bus or the bound has passed ('given-up'). Mission Control waits for ever; Confab bounds it (the
 * dispatcher's `handlerTimeoutMs`), so that an approver that never decides does not keep the channel
 * from every handler.
 */
export type ApprovalEnd = 'closed' | 'given-up';

export interface ApprovalWatch {
  readonly ended: Promise<ApprovalEnd>;
  dispose(): void;
}

export function watchApproval(isOver: () => boolean, approversLeft: () => number, boundMs: number, pollMs = 200): ApprovalWatch {
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  const ended = new Promise<ApprovalEnd>((resolve) => {
    timer = setTimeout(() => resolve('given-up'), boundMs);
    poll = setInterval(() => {
      if (isOver()) resolve('closed');
      else if (approversLeft() === 0) resolve('given-up');
    }, pollMs);
  });
  return {
    ended,
    dispose: () => {
      clearTimeout(timer);
      clearInterval(poll);
    },
  };
}
