/**
 * Dictionaries keyed by integers (`a{uv}`, `a{ua{sv}}`, `a{us}`, `a{u(uss)}`, `a{uu}`: Telepathy's
 * handle maps, e.g. Contacts.GetContactAttributes, Group.MemberIdentifiers). dbus-next 0.10 takes a
 * dictionary only as a plain object, whose keys are strings, and its integer marshallers refuse a
 * string: such a dictionary cannot be sent at all. This widens dbus-next's integer marshallers to take
 * a key that is a decimal integer string (what `Object.keys` gives back). Only a value dbus-next would
 * have refused is affected; every other value is marshalled as before. Applied once, when the adapter
 * is loaded.
 */
const marshallers = require('dbus-next/lib/marshallers') as {
  MakeSimpleMarshaller: (signature: string) => { check(data: unknown): void; marshall(ps: unknown, data: unknown): void };
  integerKeysPatched?: boolean;
};

const INTEGERS = new Set(['y', 'n', 'q', 'i', 'u']);
const DECIMAL = /^-?\d+$/;

const asNumber = (data: unknown): unknown => (typeof data === 'string' && DECIMAL.test(data) ? Number(data) : data);

export function allowIntegerKeys(): void {
  if (marshallers.integerKeysPatched) return;
  const make = marshallers.MakeSimpleMarshaller;
  marshallers.MakeSimpleMarshaller = (signature: string) => {
    const m = make(signature);
    if (!INTEGERS.has(signature)) return m;
    const { check, marshall } = m;
    m.check = function (data) {
      check.call(this, asNumber(data));
    };
    m.marshall = function (ps, data) {
      marshall.call(this, ps, asNumber(data));
    };
    return m;
  };
  marshallers.integerKeysPatched = true;
}
