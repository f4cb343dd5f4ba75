// Hyperswarm, hyperdht and blind-relay ship no types: ./lib.ts gives the parts used here their shapes.
declare module 'hyperswarm'
declare module 'hyperdht'
declare module 'blind-relay'
