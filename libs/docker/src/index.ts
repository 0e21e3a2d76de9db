export * from './engine';
export * from './images';
