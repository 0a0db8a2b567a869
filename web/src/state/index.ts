export * from './types';
export * from './reducer';
export * from './select';
export * from './store';
export * from './ids';
export * from './persist';
export * from './members';
