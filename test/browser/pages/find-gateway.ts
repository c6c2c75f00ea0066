/**
 * A HIS page as the client kit's docs describe it (docs/terminal-server.md): the first visit pairs with this
 * user's gateway (pairGateway; the user types the code their gateway shows), later visits find it again by the
 * stored pairing token (findGateway), then the page reads the card with the kit's client. Bundled by esbuild
 * for chromium in test/browser/client-kit-find-gateway.test.ts; the ports to try come in the query string.
 */
import { createGatewayClient, findGateway, pairGateway, ReadCardDocument } from '../../../client/index.ts';

const STORED = 'nhi-gateway-pairing-token';
const ports = (new URLSearchParams(location.search).get('ports') ?? '').split(',').map(Number);
const $ = (id: string) => document.getElementById(id)!;

/** Shows the code form and resolves with what the user typed. */
function askCode(): Promise<string> {
  $('pair').hidden = false;
  return new Promise((resolve) =>
    $('pair').addEventListener('submit', (event) => {
      event.preventDefault();
      $('pair').hidden = true;
      resolve(($('code') as HTMLInputElement).value);
    }),
  );
}

async function run(): Promise<void> {
  let pairingToken = localStorage.getItem(STORED);
  $('how').textContent = pairingToken ? 'found' : 'paired';
  if (!pairingToken) {
    pairingToken = (await pairGateway({ ports, askCode })).pairingToken;
    localStorage.setItem(STORED, pairingToken);
  }
  const gateway = await findGateway({ pairingToken, ports });
  $('port').textContent = String(gateway.port);
  const client = createGatewayClient({ url: gateway.url, token: pairingToken });
  const data = await client.request(ReadCardDocument);
  const basic = data.healthCard.basicData;
  $('card').textContent = basic.__typename === 'BasicData' ? basic.cardNumber : basic.code;
}

run().catch((error: unknown) => {
  $('error').textContent = `${(error as { code?: string }).code ?? ''} ${error instanceof Error ? error.message : String(error)}`;
});
