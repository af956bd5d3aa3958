/**
 * org.freedesktop.DBus.ObjectManager on the root object (D-Bus specification, "Standard Interfaces"):
 * GetManagedObjects lists every account and channel with their properties; InterfacesAdded and
 * InterfacesRemoved follow them. dbus-next has no ObjectManager of its own.
 */
import type { InterfaceSpec } from './contract';

export const OBJECT_MANAGER_SPEC: InterfaceSpec = {
  name: 'org.freedesktop.DBus.ObjectManager',
  methods: { GetManagedObjects: { inSignature: '', outSignature: 'a{oa{sa{sv}}}', inNames: [] } },
  properties: {},
  signals: {
    InterfacesAdded: { signature: 'oa{sa{sv}}' },
    InterfacesRemoved: { signature: 'oas' },
  },
};
