import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-7WPEE6PP.js";import"./chunk-JUMC6Y6Q.js";import"./chunk-YLA65TFT.js";import"./chunk-6WCGZ55S.js";import"./chunk-DGGT4LDD.js";import"./chunk-S4C3OBP2.js";export{a as GitHubError,c as describeGitHubError,b as githubClient,d as toGitHubError};
