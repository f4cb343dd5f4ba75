// Reconciliation between two key sets in memory, shared with the bench (bench/sync-sets.ts).
export {randomKeys, reconcileSets} from '../../bench/sync-sets.js'
