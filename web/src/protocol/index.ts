export * from './types';
export * from './events';
export * from './rest';
export * from './errors';
export * from './parse';
