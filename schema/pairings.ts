/**
 * Pairings of HIS web pages (docs/security.md, "Pairing"): the owner lists and revokes them. Both fields
 * need the access token itself (src/security/access-policy.ts, OWNER_ONLY_FIELDS); a paired page cannot
 * reach them. Pairing itself is `POST /pair` and `POST /pair/confirm` (src/plugins/use-pairing.ts).
 */
import { builder } from './builder.ts';
import type { PairingInfo } from '../src/ports/pairings.ts';

const PairingRef = builder.objectRef<PairingInfo>('Pairing').implement({
  description: 'A web origin holding a pairing token (the token itself is never shown again).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Give this to `revokePairing` or `nhi-gateway pairings revoke`.' }),
    origin: t.exposeString('origin', { description: 'The page origin (`scheme://host[:port]`) the token works from.' }),
    createdAt: t.exposeString('createdAt', { description: 'When the pairing was confirmed (ISO 8601, UTC).' }),
    expiresAt: t.exposeString('expiresAt', { description: 'When the token stops working (ISO 8601, UTC).' }),
  }),
});

builder.queryField('pairings', (t) =>
  t.field({
    type: [PairingRef],
    description: 'Live pairings of web pages. Needs the access token itself (not a pairing token).',
    resolve: (_root, _args, ctx) => ctx.pairings?.list() ?? [],
  }),
);

builder.mutationField('revokePairing', (t) =>
  t.field({
    type: 'Boolean',
    description: 'Revokes a pairing: its token is refused from the next request on. False when no pairing has that id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.pairings?.revoke(String(args.id).slice(0, 64)) ?? false,
  }),
);
