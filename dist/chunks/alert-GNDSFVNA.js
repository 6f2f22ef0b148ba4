import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-ERN5XVED.js";import"./chunk-TDEAM73C.js";import"./chunk-3U2V2AGJ.js";import"./chunk-RXVGHDR2.js";import"./chunk-S4C3OBP2.js";export{c as actionText,a as buildAlert,b as buildAnnotation};
