import { silentLogger } from '@confab/sdk';
import type { InterfaceSpec } from '../src/dbus/contract';
import type { ContractObject } from '../src/dbus/contract-object';
import { ExportedObjects } from '../src/dbus/exported-objects';
import { Redactor } from '../src/log';

const SPEC: InterfaceSpec = {
  name: 'im.confab.Test1.Thing',
  methods: {},
  properties: { Name: { signature: 's', access: 'read' } },
  signals: {},
};

function setup() {
  const names = new Map<number, string>([[1, 'one'], [2, 'two']]);
  const log: string[] = [];
  const bus = {
    export: (path: string) => void log.push(`export ${path}`),
    unexport: (path: string) => void log.push(`unexport ${path}`),
  };
  const objectManager = {
    emit: (signal: string, path: string, arg: unknown) => void log.push(`${signal} ${path} ${JSON.stringify(arg)}`),
  } as unknown as ContractObject;
  const objects = new ExportedObjects<number>(bus as never, objectManager, {
    spec: SPEC,
    path: (id) => `/things/${id}`,
    handlers: (id) => ({ methods: {}, properties: { Name: () => names.get(id) ?? '' } }),
    added: (id) => void log.push(`added ${id}`),
    changed: (id) => void log.push(`changed ${id}`),
    removed: (id) => void log.push(`removed ${id}`),
  }, { redactor: new Redactor(), log: silentLogger });
  return { objects, log, names };
}

describe('exported objects', () => {
  it('exports quietly at start-up and announces later ones, once each', () => {
    const { objects, log } = setup();
    objects.add(1, false);
    objects.follow({ id: 2, change: 'added' });
    objects.add(2, true);
    expect(log).toEqual([
      'export /things/1', 'added 1',
      'export /things/2', 'added 2', 'InterfacesAdded /things/2 {"im.confab.Test1.Thing":{"Name":{"signature":"s","value":"two"}}}',
    ]);
    const managed: Record<string, Record<string, Record<string, unknown>>> = {};
    objects.managed(managed);
    expect(Object.keys(managed)).toEqual(['/things/1', '/things/2']);
  });

  it('withdraws an object once, and refreshes only exported ones', () => {
    const { objects, log } = setup();
    objects.add(1, false);
    log.length = 0;
    objects.follow({ id: 1, change: 'changed' });
    objects.follow({ id: 3, change: 'changed' }); // not exported: nothing to refresh, the hook still runs
    objects.follow({ id: 1, change: 'removed' });
    objects.remove(1);
    expect(log).toEqual(['changed 1', 'changed 3', 'removed 1', 'unexport /things/1', 'InterfacesRemoved /things/1 ["im.confab.Test1.Thing"]']);
  });
});
