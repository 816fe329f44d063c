/** Globals that the microcontroller engines provide (Espruino and JerryScript both have `print`). */
declare function print(...args: unknown[]): void;
