/** The injection tokens shared by the apps. */
export const CLOCK = Symbol('Clock');
export type Clock = () => Date;
export const AUTH_SECRET = Symbol('AuthSecret');
