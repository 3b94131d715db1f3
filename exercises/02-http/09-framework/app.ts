import type { RequestListener } from 'node:http'
// Pick one (both are installed):
// import express from 'express'      — Express 5
// import Fastify from 'fastify'      — Fastify 5 (README.md shows how to return it as a listener)

export interface Bookmark {
  id: number
  url: string
  title: string
  tags: string[]
  createdAt: string
}

export interface AppOptions {
  /** `Authorization: Bearer <adminToken>` unlocks /api/v1/admin/*. */
  adminToken: string
  /** The clock for createdAt (default: the real one). */
  now?: () => Date
}

/** The Bookmarks API on Express 5 or Fastify, returned as a Node request listener (see README.md). */
export function createApp(options: AppOptions): RequestListener {
  throw new Error('TODO: build the Bookmarks API with Express 5 or Fastify and return it as a request listener\nTODO(ru): собрать Bookmarks API на Express 5 или Fastify и вернуть его как обработчик запросов')
}
