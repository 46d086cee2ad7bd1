// Every page renders in the browser; the Express server serves the shell.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
