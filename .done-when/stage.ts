// @ts-nocheck
const kit = require('/work/main');
const { App, Stage } = require('aws-cdk-lib'); const rds = require('aws-cdk-lib/aws-rds');
const app = new App(); const stage = new Stage(app, 'Prod');
const s = new kit.DatabaseStack(stage, 'SpendSense-Database-prod', { profile: kit.getProfile('prod') });
const db = s.node.findAll().find((c) => c instanceof rds.CfnDBInstance); db.addPropertyOverride('DeletionProtection', false);
kit.applyCompliance(app); app.synth();
