// The swarm's keys are the chat's: the Hyperswarm key pair IS the node's Ed25519 identity (so the Noise key a swarm
// stream proves is the chat node id), and the DHT topic is a domain-separated hash of the room key (so the DHT sees
// neither the secret nor the room id). Pure node:crypto: loading Hyperswarm is not needed to compute them.

import crypto from 'node:crypto'

import type {RoomKey} from '../room.js'

import {type Identity, rawPrivateSeed, rawPublicKey} from '../identity.js'
import {DEFAULT_PROTOCOL_NAME} from '../noise/index.js'

/** The form hyperdht and sodium take: the 32-byte public key and the 64-byte secret key (seed then public key). */
export interface SwarmKeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

// Its own label: the topic is unrelated to the room id published over mDNS and to the Noise PSK.
const TOPIC_PREFIX = `chat/${DEFAULT_PROTOCOL_NAME}/swarm-topic:`
const RELAY_SEED_PREFIX = `chat/${DEFAULT_PROTOCOL_NAME}/relay-key:`

/** The identity's key pair in sodium's form (crypto_sign: secret key = 32-byte seed ‖ 32-byte public key). */
export function swarmKeyPair(identity: Identity): SwarmKeyPair {
  const publicKey = rawPublicKey(identity.publicKey)
  return {publicKey, secretKey: Buffer.concat([rawPrivateSeed(identity.privateKey), publicKey])}
}

/** The node id (base64url) behind a swarm public key. */
export function nodeIdOfSwarmKey(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('base64url')
}

/** The seed of a node's blind-relay key pair: stable for an identity, unrelated to its chat key. */
export function relaySeed(identity: Identity): Buffer {
  return crypto
    .createHash('sha256')
    .update(RELAY_SEED_PREFIX, 'utf8')
    .update(swarmKeyPair(identity).secretKey.subarray(0, 32))
    .digest()
}

/** The 32-byte DHT topic of a room. The public room's is fixed: anyone can compute it and join. */
export function swarmTopic(room: RoomKey): Buffer {
  return crypto.createHash('sha256').update(TOPIC_PREFIX, 'utf8').update(room.key).digest()
}
