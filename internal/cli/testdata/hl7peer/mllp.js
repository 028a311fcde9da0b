// One HL7 v2 exchange between two real MLLP endpoints of @medplum/hl7:
// an Hl7Client sends an ADT^A01 with synthetic patient data to an
// Hl7Server, which answers with the package's own ACK. Vigil's peer test
// (internal/cli/hl7peer_test.go) runs this in a network namespace of its
// own while tcpdump captures, then checks what Vigil read from the capture.
//
// Usage: node mllp.js PORT
// Prints one JSON line: the MSH fields of the message and of the ACK as
// the package itself reads them, the PID values sent, and the local port
// of a last, empty marker connection (so the test knows when the capture
// holds everything).
'use strict';

const net = require('node:net');
const { Hl7Message } = require('@medplum/core');
const { Hl7Client, Hl7Server } = require('@medplum/hl7');

const port = Number(process.argv[2]);
const pid = ['SYN4711^^^VIGIL^MR', 'SYNTHETICA^PATIENTIA', '19700101', 'F', '1 TESTWAY^^SPRINGVALE'];
const message = Hl7Message.parse(
  [
    'MSH|^~\\&|VIGIL_ADT|NORTH_WING|VIGIL_EHR|CENTRAL_LAB|20261129080000||ADT^A01|VIGIL0001|P|2.5.1',
    'EVN|A01|20261129080000',
    `PID|1||${pid[0]}||${pid[1]}||${pid[2]}|${pid[3]}|||${pid[4]}`,
    'PV1|1|I|WARD3^301^1',
  ].join('\r')
);

function msh(m) {
  const s = m.getSegment('MSH');
  const f = (n) => s.getField(n).toString();
  return {
    sendingApplication: f(3),
    sendingFacility: f(4),
    receivingApplication: f(5),
    receivingFacility: f(6),
    messageType: f(9),
    version: f(12),
  };
}

async function main() {
  const server = new Hl7Server((connection) => {
    connection.addEventListener('message', ({ message: m }) => connection.send(m.buildAck()));
  });
  server.start(port);
  await new Promise((resolve) => server.server.once('listening', resolve));

  const client = new Hl7Client({ host: '127.0.0.1', port });
  const ack = await client.sendAndWait(message);
  await client.close();

  const marker = await new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => {
      const p = c.localPort;
      c.end(() => resolve(p));
    });
    c.on('error', reject);
  });
  await server.stop({ forceDrainTimeoutMs: 1000 });
  process.stdout.write(JSON.stringify({ message: msh(message), ack: msh(ack), pid, marker }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
