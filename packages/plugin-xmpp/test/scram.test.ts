import { scramClass, verifyServerFinal, type ScramState } from '../src/scram';

// The exchanges of RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256): user "user", password "pencil".
const VECTORS = [
  {
    name: 'SCRAM-SHA-1' as const, nonce: 'fyko+d2lbbFgONRv9qkxdawL',
    serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
  },
  {
    name: 'SCRAM-SHA-256' as const, nonce: 'rOprNGfwEbeRWgbNEkqO',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  },
];

describe('SCRAM with Node crypto', () => {
  it.each(VECTORS)('$name gives the RFC exchange and checks the server signature', (t) => {
    const state: ScramState = {};
    const mech = new (scramClass(t.name, state, t.nonce))();
    expect(mech.response({ username: 'user', password: 'pencil' })).toBe(`n,,n=user,r=${t.nonce}`);
    mech.challenge(t.serverFirst);
    expect(mech.response({ username: 'user', password: 'pencil' })).toBe(t.clientFinal);
    expect(verifyServerFinal(t.serverFinal, state)).toBe(true);
    expect(verifyServerFinal('v=AAAA' + t.serverFinal.slice(6), state)).toBe(false);
  });

  it('refuses a server that changes the nonce, drops the salt or asks for too few or too many iterations', () => {
    for (const bad of ['r=other,s=QSXCR+Q6sek8bf92,i=4096', 'r=abcX,s=,i=4096', 'r=abcX,s=QSXC,i=1', 'r=abcX,s=QSXC,i=99999999', 'r=abc,s=QSXC,i=4096', 'garbage']) {
      const mech = new (scramClass('SCRAM-SHA-256', {}, 'abc'))();
      mech.response({ username: 'u,=', password: 'p' });
      expect(() => mech.challenge(bad)).toThrow(/SCRAM/);
    }
    const mech = new (scramClass('SCRAM-SHA-1', {}, 'n'))();
    expect(mech.response({ username: 'a,b=c', password: 'p' })).toBe('n,,n=a=2Cb=3Dc,r=n');
  });
});
