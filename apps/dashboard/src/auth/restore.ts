import { restoreSession } from './session';

// Imported first by main.ts: the router reads the address when it is created, which must be after the token has
// left the fragment (an ES module's imports run before its body).
restoreSession();
