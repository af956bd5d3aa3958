/**
 * Telepathy spec 0.27 names and numbers the Connection and Channel objects use (the spec's
 * `Handle_Type`, `Connection_Status`, `Channel_Text_Message_Type`, `Channel_Group_Flags` enums, and
 * the interface names), in one place.
 */

export const TP = 'org.freedesktop.Telepathy';
export const CONNECTION_IFACE = `${TP}.Connection`;
export const REQUESTS_IFACE = `${TP}.Connection.Interface.Requests`;
export const CONTACTS_IFACE = `${TP}.Connection.Interface.Contacts`;
export const ALIASING_IFACE = `${TP}.Connection.Interface.Aliasing`;
export const SIMPLE_PRESENCE_IFACE = `${TP}.Connection.Interface.SimplePresence`;
export const CONTACT_LIST_IFACE = `${TP}.Connection.Interface.ContactList`;
export const CONTACT_GROUPS_IFACE = `${TP}.Connection.Interface.ContactGroups`;
export const CONTACT_INFO_IFACE = `${TP}.Connection.Interface.ContactInfo`;

export const CHANNEL_IFACE = `${TP}.Channel`;
export const TEXT_TYPE = `${TP}.Channel.Type.Text`;
export const MESSAGES_IFACE = `${TP}.Channel.Interface.Messages`;
export const GROUP_IFACE = `${TP}.Channel.Interface.Group`;
export const SUBJECT2_IFACE = `${TP}.Channel.Interface.Subject2`;
export const ROOM2_IFACE = `${TP}.Channel.Interface.Room2`;

/** Handle_Type: 0 none, 1 contact, 2 room (3 list and 4 group are deprecated). */
export const HANDLE_NONE = 0;
export const HANDLE_CONTACT = 1;
export const HANDLE_ROOM = 2;
export type HandleType = typeof HANDLE_CONTACT | typeof HANDLE_ROOM;

/** Connection_Status: a Confab connection is served only while connected. */
export const STATUS_CONNECTED = 0;
export const STATUS_DISCONNECTED = 2;

/** Channel_Text_Message_Type: 0 normal, 1 action (/me), 2 notice. */
export const MESSAGE_TYPES: Readonly<Record<string, number>> = { normal: 0, action: 1, notice: 2 };
export const KIND_OF_TYPE: Readonly<Record<number, string>> = { 0: 'normal', 1: 'action', 2: 'notice' };

/**
 * Channel_Group_Flags: Properties (2048, the Group properties are served) | Members_Changed_Detailed
 * (4096, MembersChangedDetailed is emitted) | Message_Depart (8192, a leave message is used).
 */
export const ROOM_GROUP_FLAGS = 2048 | 4096 | 8192;

/** Channel_Group_Change_Reason values used: 0 none (joined, left). */
export const CHANGE_REASON_NONE = 0;
