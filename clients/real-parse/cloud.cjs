// Cloud code of the pass-through test's real Parse Server.
Parse.Cloud.define('hello', (request) => `hello ${request.params.name}`);
