/** A day in milliseconds: the unit of the regulatory delays (15 days to validate, 7 for the MOE, 30 to pay). */
export const DAY_MS = 86_400_000;
