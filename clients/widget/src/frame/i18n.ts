// The frame's strings. English is the reference; every other language must have the same keys (type-checked).
const en = {
  chatWith: "Chat with {0}",
  chat: "Chat",
  online: "We typically reply in a few minutes.",
  away: "We're away right now.",
  leaveMessage: "Leave a message and we'll reply by email.",
  newConversation: "New conversation",
  yourConversations: "Your conversations",
  back: "Back to conversations",
  close: "Close chat",
  messages: "Messages",
  placeholder: "Write a message…",
  send: "Send",
  attach: "Attach a file",
  sending: "Sending…",
  uploading: "Uploading…",
  sent: "Sent",
  seen: "Seen",
  notSent: "Not sent.",
  retry: "Retry",
  typing: "{0} is typing…",
  someone: "Someone",
  you: "You",
  today: "Today",
  yesterday: "Yesterday",
  tooLarge: "{0} is larger than 10 MB.",
  name: "Name",
  email: "Email",
  message: "Message",
  sendOffline: "Send message",
  required: "Please fill in this field.",
  invalidEmail: "Please enter a valid email address.",
  invalidPhone: "Please enter a valid phone number.",
  mustCheck: "Please tick this box to continue.",
  choose: "Choose…",
  requiredNote: "Fields marked * are required.",
  offlineSent: "Thanks! We'll reply to {0} by email.",
  resolved: "This conversation is resolved. Write to reopen it.",
  error: "Something went wrong. Please try again.",
  offlineNetwork: "You are offline. We'll send it when you're back.",
  reconnecting: "Reconnecting…",
  attachment: "Attachment",
  beforeWeStart: "Before we start",
  loadFailed: "The chat could not be loaded.",
  tryAgain: "Try again",
  deleted: "Message deleted",
  edited: "edited",
};

export type Strings = typeof en;

const de: Strings = {
  chatWith: "Chat mit {0}",
  chat: "Chat",
  online: "Wir antworten meist innerhalb weniger Minuten.",
  away: "Wir sind gerade nicht da.",
  leaveMessage: "Hinterlassen Sie eine Nachricht, wir antworten per E-Mail.",
  newConversation: "Neue Unterhaltung",
  yourConversations: "Ihre Unterhaltungen",
  back: "Zurück zu den Unterhaltungen",
  close: "Chat schließen",
  messages: "Nachrichten",
  placeholder: "Nachricht schreiben…",
  send: "Senden",
  attach: "Datei anhängen",
  sending: "Wird gesendet…",
  uploading: "Wird hochgeladen…",
  sent: "Gesendet",
  seen: "Gesehen",
  notSent: "Nicht gesendet.",
  retry: "Erneut senden",
  typing: "{0} schreibt…",
  someone: "Jemand",
  you: "Sie",
  today: "Heute",
  yesterday: "Gestern",
  tooLarge: "{0} ist größer als 10 MB.",
  name: "Name",
  email: "E-Mail",
  message: "Nachricht",
  sendOffline: "Nachricht senden",
  required: "Bitte füllen Sie dieses Feld aus.",
  invalidEmail: "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
  invalidPhone: "Bitte geben Sie eine gültige Telefonnummer ein.",
  mustCheck: "Bitte setzen Sie das Häkchen, um fortzufahren.",
  choose: "Bitte wählen…",
  requiredNote: "Mit * markierte Felder sind Pflichtfelder.",
  offlineSent: "Danke! Wir antworten per E-Mail an {0}.",
  resolved: "Diese Unterhaltung ist abgeschlossen. Schreiben Sie, um sie wieder zu öffnen.",
  error: "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
  offlineNetwork: "Sie sind offline. Wir senden die Nachricht, sobald Sie wieder verbunden sind.",
  reconnecting: "Verbindung wird wiederhergestellt…",
  attachment: "Anhang",
  beforeWeStart: "Bevor es losgeht",
  loadFailed: "Der Chat konnte nicht geladen werden.",
  tryAgain: "Erneut versuchen",
  deleted: "Nachricht gelöscht",
  edited: "bearbeitet",
};

export type Locale = "en" | "de";

export function pickLocale(requested: string | null): Locale {
  return /^de\b/i.test(requested || navigator.language) ? "de" : "en";
}

export function stringsFor(locale: Locale): Strings {
  return locale === "de" ? de : en;
}

export function format(template: string, value: string): string {
  return template.replace("{0}", value);
}
